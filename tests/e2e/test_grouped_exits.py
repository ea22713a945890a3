"""Issue 15: one finding per leaked resource, with every exit it leaks on (Clang's "uniqueing"), in every format."""
from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED
from tests.e2e.test_cli_sarif import scan_to
from tests.e2e.test_core_helpers import line_of, source

# one buffer lost on an early return inside nested blocks, on a `break` out of a loop and at an error label;
# a second acquisition released on every path is the decoy
EXITS = """#include <stdlib.h>
#include <string.h>
int load(const char *s, int n) {
    char *buf = malloc(64);
    char *ok = malloc(8);
    if (!buf || !ok) {
        free(ok);
        free(buf);
        return -1;
    }
    free(ok);
    if (n > 2) {
        if (s[0] == '#')
            return -2;
    }
    for (int i = 0; i < n; i++) {
        if (s[i] == 0)
            break;
        if (s[i] == '!')
            goto fail;
    }
    if (n == 7)
        return 7;
    free(buf);
    return 0;
fail:
    return -3;
}
"""


def exit_lines(text: str) -> list[int]:
    return sorted(line_of(text, needle) for needle in ("return -2;", "return 7;", "return -3;"))


@pytest.fixture(scope="module")
def as_json(tmp_path_factory) -> dict:
    _, text = scan_to(tmp_path_factory.mktemp("g"), EXITS, "json")
    return json.loads(text)


def test_one_finding_lists_every_exit(as_json: dict) -> None:
    leaks = [f for f in as_json["findings"] if f["rule_id"] == "resource-leak"]
    assert len(leaks) == 1, [f["message"] for f in leaks]
    f = leaks[0]
    assert f["acquire"]["line"] == line_of(EXITS, "char *buf = malloc(64);")
    lines = sorted([f["loc"]["line"], *(x["loc"]["line"] for x in f["exits"])])
    # the loop's `break` leads to `if (n == 7) return 7;` and to free(buf): only the returns leak
    assert lines == exit_lines(EXITS)
    assert all(x["path"] and x["path"][-1]["kind"] == "exit" for x in f["exits"])
    assert len(f["path"]) <= min(len(x["path"]) for x in f["exits"])  # the reported path is the shortest


def test_text_notes_name_the_other_exits(tmp_path) -> None:
    _, text = scan_to(tmp_path, EXITS, "text")
    notes = [line for line in text.splitlines() if "also leaks at line" in line]
    assert len(notes) == 2
    assert all("(after '" in n for n in notes)
    assert "(3 leaking exits)" in text.splitlines()[-1]


def test_sarif_one_result_with_a_thread_flow_per_exit(tmp_path) -> None:
    _, text = scan_to(tmp_path, EXITS, "sarif")
    sarif = json.loads(text)
    [res] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "resource-leak"]
    flows = res["codeFlows"][0]["threadFlows"]
    assert len(flows) == 3
    sizes = [len(fl["locations"]) for fl in flows]
    assert sizes[0] == min(sizes)
    related = {loc["physicalLocation"]["region"]["startLine"] for loc in res["relatedLocations"]
               if "leaks here" in loc["message"]["text"]}
    assert sorted(related) == exit_lines(EXITS)
    assert res["properties"]["leakingExits"] == 3
    schema_path = SHARED / "data" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("../shared is not beside this clone")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(schema_path.read_text())
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(sarif))
    assert not errors, errors[0].message


def test_fingerprint_survives_an_added_exit(tmp_path) -> None:
    more = EXITS.replace("    if (n == 7)\n        return 7;\n", "    if (n == 7)\n        return 7;\n"
                         "    if (n == 8)\n        return 8;\n")
    _, before = scan_to(tmp_path, EXITS, "sarif", "before")
    _, after = scan_to(tmp_path, more, "sarif", "after")

    def leak(text: str) -> dict:
        return next(r for r in json.loads(text)["runs"][0]["results"] if r["ruleId"] == "resource-leak")

    assert leak(after)["properties"]["leakingExits"] == 4
    assert leak(before)["partialFingerprints"] == leak(after)["partialFingerprints"]


def test_html_marks_every_exit_and_counts_them(tmp_path) -> None:
    scan_to(tmp_path, EXITS, "json")  # a scan through the CLI, then the HTML of the same tree
    from analyzer.cli import main
    out = tmp_path / "html"
    assert main(["scan", str(tmp_path / "sarif"), "--format", "html", "-o", str(out)]) == 1
    index = (out / "index.html").read_text()
    assert "3 exits" in index
    page = next(p.read_text() for p in out.glob("finding-*.html") if "Leaking exits (3)" in p.read_text())
    assert page.count('data-exit="') == 3
    for line in exit_lines(EXITS):
        assert f":{line}</summary>" in page or f":{line} (after" in page


def test_fix_releases_on_every_exit(tmp_path) -> None:
    from analyzer.cli import main
    proj = tmp_path / "p"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "parse.c").write_text(EXITS)
    patch = tmp_path / "fix.patch"
    assert main(["scan", str(proj), "--fix-diff", str(patch), "-o", str(tmp_path / "r.txt")]) == 1
    text = patch.read_text()
    assert text.count("+        free(buf);") + text.count("+    free(buf);") + text.count("+            free(buf);") \
        == 3, text


def test_source_helper_matches_scan_to() -> None:
    assert source(EXITS) == EXITS  # the snippet has no indentation to strip: line numbers are the file's
