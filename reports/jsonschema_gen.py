"""JSON Schema of leakscan's JSON output, generated from the result dataclasses (the documentation)."""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from analyzer.model import AnalysisResult, Finding

DOCS = {
    "AnalysisResult": "One scan: findings, diagnostics, statistics, inferred pairs, ownership graphs, "
                      "profile evidence.",
    "Finding": "A path on which a resource is lost or misused. `loc` is the reported place (exit, overwrite, "
               "second release); `acquire` where the resource was acquired; `path` the ordered events.",
    "PathEvent": "One step of a finding's path (kind: acquire | branch | release | escape | exit | overwrite | note).",
    "Evidence": "Dynamic evidence from heap profiles: status confirmed | static-only, growth behind the finding.",
    "GrowthStack": "A symbolized allocation stack, leaf first, with the bytes/objects it grew by.",
}


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema(a, defs) for a in typing.get_args(tp)]}
    if tp is type(None):
        return {"type": "null"}
    if origin is tuple:
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        if len(typing.get_args(tp)) == 2 and typing.get_args(tp)[1] is Ellipsis:
            return {"type": "array", "items": _schema(args[0], defs)}
        return {"type": "array", "prefixItems": [_schema(a, defs) for a in args], "items": False}
    if origin is dict or tp is dict:
        return {"type": "object"}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            hints = typing.get_type_hints(tp)
            props = {f.name: _schema(hints[f.name], defs) for f in dataclasses.fields(tp)}
            defs[name] = {"type": "object", "properties": props, "required": sorted(props),
                          "description": DOCS.get(name, (tp.__doc__ or "").strip())}
        return {"$ref": f"#/$defs/{name}"}
    return {str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"},
            bool: {"type": "boolean"}}.get(tp, {})


def result_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = _schema(AnalysisResult, defs)
    finding = defs[Finding.__name__]
    finding["properties"].update({"message": {"type": "string"}, "level": {"type": "string"},
                                  "fingerprint": {"type": "string"}})
    result = dict(defs.pop("AnalysisResult"))
    result["properties"] = dict(result["properties"], schema_version={"const": 1})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "leakscan result",
            **result, "$defs": defs, "$comment": root["$ref"]}
