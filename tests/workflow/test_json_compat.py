"""The JSON result is a stable, versioned interface for scripts: results written by older leakscan versions (schema 1
and 2, kept in tests/data/results, written by the real older code) still load, render and validate."""
from __future__ import annotations

import json

import jsonschema

from reports.jsonout import SCHEMA_VERSION, load_json, render_json
from reports.jsonschema_gen import result_schema

from .conftest import REPO, leakscan

DATA = REPO / "tests" / "data" / "results"


def test_schema_version_and_documented_compatibility():
    schema = result_schema()
    assert SCHEMA_VERSION == 2 and schema["properties"]["schema_version"] == {"const": 2}
    assert "Fields are only ever added" in schema["description"]
    # fields added later are optional, so that older results stay valid
    finding = schema["$defs"]["Finding"]
    assert "baseline_state" in finding["properties"] and "baseline_state" not in finding["required"]
    assert {"rule_id", "loc", "fingerprint", "message"} <= set(finding["required"])
    assert "suppressed" not in schema["required"] and "workflow" not in schema["required"]


def test_a_schema_2_result_of_the_previous_release_validates_and_loads():
    data = json.loads((DATA / "v2.json").read_text())
    jsonschema.validate(data, result_schema())
    result = load_json((DATA / "v2.json").read_text())
    assert sorted((f.rule_id.value, f.loc.line) for f in result.findings) == [
        ("leak-on-overwrite", 14), ("resource-leak", 13), ("resource-leak", 13)]
    again = json.loads(render_json(result))
    jsonschema.validate(again, result_schema())
    assert [f["fingerprint"] for f in again["findings"]] == [f["fingerprint"] for f in data["findings"]]


def test_a_schema_1_result_loads_and_renders(tmp_path):
    result = load_json((DATA / "v1.json").read_text())
    assert {f.resource_kind for f in result.findings} == {"malloc", "FILE"}
    for fmt in ("text", "sarif", "json", "github", "codeclimate"):
        proc = leakscan("report", str(DATA / "v1.json"), "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
        assert proc.returncode == 1, (fmt, proc.stderr)
    jsonschema.validate(json.loads((tmp_path / "r.json").read_text()), result_schema())
