"""JSON output validates against the documented schema (docs/result.schema.json), which is generated."""
import json
from pathlib import Path

import jsonschema

from reports.jsonout import load_json, render_json
from reports.jsonschema_gen import result_schema

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_schema_is_current():
    assert json.loads((ROOT / "docs" / "result.schema.json").read_text()) == result_schema()


def test_json_output_validates_and_round_trips(scan):
    result = scan("""
        #include <stdio.h>
        int f(const char *path) {
            FILE *fp = fopen(path, "r");
            if (!fp) return -1;
            if (fgetc(fp) == 'x') return 1;
            fclose(fp);
            return 0;
        }
    """)
    text = render_json(result)
    jsonschema.validate(json.loads(text), result_schema())
    again = load_json(text)
    assert again.findings == result.findings
    assert [(f.loc.line, f.rule_id, f.resource_kind, f.var) for f in again.findings] == \
        [(5, "resource-leak", "FILE", "fp")]
