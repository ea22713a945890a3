"""Code scanning: the SARIF GitHub takes (schema-valid, %SRCROOT%-relative URIs, rule help and help URIs,
security-severity, within the documented limits), `--format github` workflow commands, the GitLab code quality report,
the documented CI workflows and the pre-commit hook, each against its schema or documented fields."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from analyzer.cli import build_parser
from analyzer.model import AnalysisResult, Finding, LeakExit, PathEvent, RuleId, SourceLoc
from reports.sarif import MAX_FLOW_LOCATIONS, MAX_RELATED_LOCATIONS, MAX_RESULTS, render_sarif
from tests.conftest import SHARED

from .conftest import REPO, git, leakscan, write

SCHEMA = SHARED / "data" / "sarif-schema-2.1.0.json"
SOURCE = """
#include <stdlib.h>
#include <stdio.h>
int parse(const char *path, int n) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (n > 2)
        return -2;
    fclose(f);
    return 0;
}
void twice(void) {
    char *p = malloc(4);
    free(p);
    free(p);
}
void forget(void) {
    malloc(8); // leakscan-ignore[unused-acquire]: reviewed
}
"""


def _validate(log: dict) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} not available: ../shared is not beside this clone")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    errors = sorted(jsonschema.validators.validator_for(schema)(schema).iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[Path, dict]:
    tmp = tmp_path_factory.mktemp("cs")
    proj = write(tmp / "repo", {"src/a.c": SOURCE, "pyproject.toml": "[tool.leakscan]\npaths = [\"src\"]\n"})
    base = tmp / "base.json"
    assert leakscan("baseline", "write", str(base), cwd=proj).returncode == 0
    write(proj, {"src/a.c": SOURCE.replace("    if (n > 2)\n        return -2;\n", "")
                 + "int more(void) {\n    char *q = malloc(1);\n    if (!q) return 1;\n    return 0;\n}\n"})
    proc = leakscan("scan", "--baseline", str(base), "--format", "sarif", cwd=proj)
    assert proc.returncode == 1, proc.stderr
    return proj, json.loads(proc.stdout)


def test_sarif_is_schema_valid_with_baseline_and_suppressions(scanned):
    _, log = scanned
    _validate(log)
    results = log["runs"][0]["results"]
    assert sorted((r["ruleId"], r.get("baselineState", ""), bool(r.get("suppressions"))) for r in results) == [
        ("double-release", "unchanged", False), ("resource-leak", "absent", False), ("resource-leak", "new", False),
        ("unused-acquire", "", True)]


def test_uris_are_relative_to_srcroot(scanned):
    proj, log = scanned
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == proj.as_uri() + "/"
    for r in run["results"]:
        for loc in r.get("locations", []) + r.get("relatedLocations", []):
            art = loc["physicalLocation"]["artifactLocation"]
            assert art == {"uri": "src/a.c", "uriBaseId": "%SRCROOT%"}


def test_rules_have_help_help_uris_and_security_severity(scanned):
    _, log = scanned
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    for rule in rules.values():
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith("**")
        assert len(rule["properties"]["tags"]) <= 10
        assert rule["properties"]["problem.severity"] in ("error", "warning", "recommendation")
    assert rules["resource-leak"]["helpUri"] == "https://cwe.mitre.org/data/definitions/772.html"
    assert "external/cwe/cwe-401" in rules["resource-leak"]["properties"]["tags"]
    # memory-safety rules are security results, with a score GitHub maps to its severities; leaks are not
    assert rules["double-release"]["properties"]["security-severity"] == "9.3"
    assert rules["mismatched-release"]["properties"]["security-severity"] == "7.5"
    assert "security-severity" not in rules["resource-leak"]["properties"]
    assert "leakscan-ignore[double-release]" in rules["double-release"]["help"]["markdown"]


def test_github_limits_per_run_are_respected(tmp_path):
    path = str(tmp_path / "big.c")
    events = tuple(PathEvent(SourceLoc(path, n), f"step {n}", "branch") for n in range(1, 2001))
    exits = tuple(LeakExit(SourceLoc(path, 3000 + n), "'x' is true", events[:20]) for n in range(300))
    big = Finding(RuleId.RESOURCE_LEAK, "malloc", "f", SourceLoc(path, 2500), SourceLoc(path, 1), "malloc", var="p",
                  path=events, exits=exits)
    many = tuple(Finding(RuleId.RESOURCE_LEAK, "malloc", f"g{n}", SourceLoc(path, n + 1), SourceLoc(path, n + 1),
                         "malloc", var="p") for n in range(MAX_RESULTS + 5))
    log = json.loads(render_sarif(AnalysisResult(root=str(tmp_path), findings=(big, *many))))
    run = log["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    first = next(r for r in run["results"] if r["properties"]["function"] == "f")
    assert len(first["relatedLocations"]) == MAX_RELATED_LOCATIONS
    flow_locations = sum(len(t["locations"]) for t in first["codeFlows"][0]["threadFlows"])
    assert flow_locations <= MAX_FLOW_LOCATIONS
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("left out" in n for n in notes)


# GitHub's documented syntax: ::{command} {key}={value},...::{message}, with %, CR, LF escaped (and : , in values)
_COMMAND = re.compile(r"^::(error|warning|notice)(?: ((?:[a-zA-Z]+=[^,:\r\n]*)(?:,[a-zA-Z]+=[^,:\r\n]*)*))?::(.*)$")


def test_github_workflow_commands(tmp_path):
    proj = write(tmp_path / "p", {"a.c": SOURCE, "b, c.c": "#include <stdlib.h>\nvoid z(void) {\n  malloc(1);\n}\n"})
    proc = leakscan("scan", str(proj), "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    parsed = [_COMMAND.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m]
    props = [dict(kv.split("=", 1) for kv in m.group(2).split(",")) for m in parsed if m and m.group(2)]
    assert {"file": "a.c", "line": "8", "title": "leakscan resource-leak", "col": "9"} in props
    assert any(p["file"] == "b%2C c.c" and p["line"] == "3" for p in props)  # the comma escaped in the value
    assert {m.group(1) for m in parsed if m} == {"warning", "error", "notice"}  # double-release is an error
    assert lines[-1] == "::notice title=leakscan::leakscan: 3 finding(s), 1 suppressed"
    message = next(m.group(3) for m in parsed if m and "fopen" in m.group(3))
    assert "%0A" in message and "\n" not in message


def test_gitlab_code_quality_report_fields(scanned, tmp_path):
    proj, _ = scanned
    proc = leakscan("scan", "--format", "codeclimate", "-o", str(tmp_path / "cq.json"), cwd=proj)
    assert proc.returncode == 1
    issues = json.loads((tmp_path / "cq.json").read_text())
    assert isinstance(issues, list) and len(issues) == 2
    fingerprints = set()
    for issue in issues:  # GitLab's documented required fields and their types
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"] in {r.value for r in RuleId}
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"] not in fingerprints
        fingerprints.add(issue["fingerprint"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == "src/a.c"
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    assert {i["severity"] for i in issues} == {"major", "critical"}


def _leakscan_commands(text: str) -> list[list[str]]:
    out = []
    for line in text.splitlines():
        m = re.search(r"(?:run:|-)\s+(leakscan .*)$", line)
        if m:
            out.append(shlex.split(m.group(1).split(" #")[0].replace("${{ github.base_ref }}", "main"))[1:])
    return out


def test_documented_ci_workflows():
    yaml = pytest.importorskip("yaml")
    gh_text = (REPO / "docs" / "ci" / "github-code-scanning.yml").read_text()
    gh = yaml.safe_load(gh_text)
    on = gh[True] if True in gh else gh["on"]  # YAML 1.1 reads the key `on` as true
    assert set(on) == {"push", "pull_request"}
    assert gh["permissions"]["security-events"] == "write"
    steps = gh["jobs"]["leakscan"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "leakscan.sarif" and upload["if"] == "always()"
    assert 'sarif = "leakscan.sarif"' in gh_text  # the configuration it documents writes that file
    gl = yaml.safe_load((REPO / "docs" / "ci" / "gitlab-ci.yml").read_text())
    assert gl["leakscan"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    commands = _leakscan_commands(gh_text) + _leakscan_commands((REPO / "docs" / "ci" / "gitlab-ci.yml").read_text())
    assert len(commands) == 4
    parser = build_parser()
    for argv in commands:  # every documented command line is one the CLI takes
        parser.parse_args(argv)


def test_pre_commit_manifest_and_hook(tmp_path):
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (hook,) = clientlib.load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "leakscan" and hook["language"] == "python" and hook["pass_filenames"]
    assert hook["entry"] == "leakscan pre-commit"
    repo = write(tmp_path / "r", {"a.c": SOURCE.replace("void forget", "void old_forget"), "README": "x\n"})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    # the commit adds a leak in a new function; the old ones are not what it changes
    write(repo, {"a.c": SOURCE.replace("void forget", "void old_forget")
                 + "int fresh(void) {\n    char *q = malloc(1);\n    if (!q) return 1;\n    return 0;\n}\n"})
    git(repo, "add", "a.c")
    entry = shlex.split(hook["entry"])[1:]
    proc = leakscan(*entry, "a.c", "README", cwd=repo)
    assert proc.returncode == 1, proc.stderr
    assert [line.split(": warning:")[0] for line in proc.stdout.splitlines() if ": warning:" in line] == ["a.c:23:5"]
    clean = leakscan(*entry, "README", cwd=repo)
    assert clean.returncode == 0 and "nothing to scan" in clean.stderr
