"""SARIF and text output of a real scan through the CLI: schema-valid, stable fingerprints, relative URIs, paths."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.model import RULES
from tests.conftest import SHARED, without_progress

REPO = Path(__file__).resolve().parents[2]
SCHEMA = SHARED / "data" / "sarif-schema-2.1.0.json"

SOURCE = """#include <stdlib.h>
#include <stdio.h>
int parse(const char *path, int n) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char *buf = malloc(n);
    if (!buf) {
        fclose(f);
        return -1;
    }
    if (fgetc(f) == EOF)
        return -2;
    buf = malloc(2 * n);
    free(buf);
    fclose(f);
    return 0;
}
void forget(void) { malloc(8); }
"""

UNRELATED = """/* a new header comment, and a helper nobody calls */
static int unrelated_helper(int x)
{
    return x * 2;
}

"""


def scan_to(tmp_path: Path, source: str, fmt: str, name: str = "sarif") -> tuple[subprocess.CompletedProcess, str]:
    proj = tmp_path / name
    (proj / "src").mkdir(parents=True, exist_ok=True)
    (proj / "src" / "parse.c").write_text(source)
    out = tmp_path / f"{name}.{fmt}"
    proc = without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", str(proj), "--format", fmt, "-o", str(out),
                           "--timestamp", "2024-01-01T00:00:00Z"],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120))
    assert proc.returncode == 1, proc.stderr
    return proc, out.read_text()


@pytest.fixture(scope="module")
def sarif(tmp_path_factory) -> dict:
    _, text = scan_to(tmp_path_factory.mktemp("s"), SOURCE, "sarif")
    return json.loads(text)


def test_validates_against_the_sarif_schema(sarif):
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} not available: ../shared is not beside this clone")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_cls(schema).iter_errors(sarif), key=lambda e: list(e.path))
    assert errors == [], "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_tool_rules_and_results(sarif):
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    for fixed in ("resource-leak", "leak-on-overwrite", "unused-acquire", "member-not-released", "double-release",
                  "mismatched-release", "use-after-release"):
        assert fixed in ids
    assert set(ids) == set(RULES)
    got = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                  r["properties"]["function"], r["properties"]["acquirer"]) for r in run["results"])
    assert got == [("leak-on-overwrite", 14, "parse", "malloc"), ("resource-leak", 13, "parse", "fopen"),
                   ("resource-leak", 13, "parse", "malloc"), ("unused-acquire", 19, "forget", "malloc")]
    for r in run["results"]:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["properties"]["confidence"] == "high"


def test_relative_uris_under_a_root(sarif):
    (run,) = sarif["runs"]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file:///") and root.endswith("/")
    for r in run["results"]:
        art = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert art == {"uri": "src/parse.c", "uriBaseId": "%SRCROOT%"}


def test_code_flow_is_the_path(sarif):
    (run,) = sarif["runs"]
    leak = next(r for r in run["results"] if r["properties"]["acquirer"] == "fopen")
    (flow,) = leak["codeFlows"]
    locs = flow["threadFlows"][0]["locations"]
    lines = [loc["location"]["physicalLocation"]["region"]["startLine"] for loc in locs]
    assert lines[0] == 4 and lines[-1] == 13  # fopen ... return -2
    assert {5, 12} <= set(lines)  # the branches taken
    assert [loc["executionOrder"] for loc in locs] == list(range(1, len(locs) + 1))
    assert locs[0]["importance"] == "essential" and "fopen" in locs[0]["location"]["message"]["text"]
    assert leak["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_partial_fingerprints_survive_unrelated_edits_above(tmp_path):
    _, before = scan_to(tmp_path, SOURCE, "sarif", "before")
    _, after = scan_to(tmp_path, UNRELATED + SOURCE, "sarif", "after")
    shift = UNRELATED.count("\n")

    def prints(text: str) -> dict:
        return {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["properties"]["acquirer"]): r["partialFingerprints"]["leakscan/v1"]
                for r in json.loads(text)["runs"][0]["results"]}

    a, b = prints(before), prints(after)
    assert len(a) == 4
    assert {(rule, line + shift, acq): fp for (rule, line, acq), fp in a.items()} == b
    assert len(set(a.values())) == 4


def _leak_print(text: str) -> str:
    return next(r["partialFingerprints"]["leakscan/v1"] for r in json.loads(text)["runs"][0]["results"]
                if r["ruleId"] == "resource-leak" and r["properties"]["acquirer"] == "fopen")


def test_a_leak_is_identified_by_its_acquisition_not_by_its_exit(tmp_path):
    _, before = scan_to(tmp_path, SOURCE, "sarif", "before")
    _, after = scan_to(tmp_path, SOURCE.replace("return -2;", "return -3;"), "sarif", "after")
    assert _leak_print(before) == _leak_print(after)


def test_fingerprint_changes_when_the_acquisition_changes(tmp_path):
    _, before = scan_to(tmp_path, SOURCE, "sarif", "before")
    _, after = scan_to(tmp_path, SOURCE.replace('fopen(path, "r")', 'fopen(path, "rb")'), "sarif", "after")
    assert _leak_print(before) != _leak_print(after)


def test_text_format_is_compiler_style(tmp_path):
    _, text = scan_to(tmp_path, SOURCE, "text")
    lines = text.splitlines()
    head = ("src/parse.c:13:9: warning: 'f' acquired by fopen() at line 4 is not released on this path "
            "in parse() [resource-leak]")
    assert head in lines
    first_note = lines[lines.index(head) + 1]
    assert first_note.startswith("src/parse.c:4:") and ": note: (1) " in first_note
    assert any(line.startswith("src/parse.c:19:") and line.endswith("[unused-acquire]") for line in lines)
    assert lines[-1].startswith("leakscan: 4 finding(s) in 2 function(s), 1 TU(s)")


def test_output_is_deterministic(tmp_path):
    _, one = scan_to(tmp_path, SOURCE, "sarif", "one")
    _, two = scan_to(tmp_path, SOURCE, "sarif", "one")
    strip = lambda t: json.dumps({**json.loads(t), "runs": [{**r, "properties": None} for r in json.loads(t)["runs"]]})  # noqa: E731
    assert strip(one) == strip(two)
