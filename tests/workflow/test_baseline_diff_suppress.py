"""Baselines (new / unchanged / fixed, --fail-on), --diff-base and suppressions through the real CLI, shown in every
report: text, JSON, SARIF (baselineState, suppressions) and HTML."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import REPO, git, leakscan, write

BEFORE = """
#include <stdio.h>
#include <stdlib.h>
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
    free(buf);
    fclose(f);
    return 0;
}
int keep(int n) {
    char *p = malloc(8);
    if (n > 1)
        return 1;
    free(p);
    return 0;
}
"""
# the buf leak fixed, keep() untouched but moved down by the fix, a new leak in a new function
AFTER = BEFORE.replace("""    if (fgetc(f) == EOF)
        return -2;
""", """    if (fgetc(f) == EOF) {
        free(buf);
        return -2;
    }
""") + """int added(void) {
    char *q = malloc(4);
    if (!q)
        return 1;
    return 0;
}
"""


def _lines(findings: list[dict]) -> list[tuple[str, int, str]]:
    return sorted((f["function"], f["loc"]["line"], f.get("baseline_state", "")) for f in findings)


def test_baseline_classifies_and_fail_on_sets_the_exit_code(tmp_path):
    proj = write(tmp_path / "p", {"a.c": BEFORE})
    base = tmp_path / "base.json"
    wrote = leakscan("baseline", "write", str(base), str(proj))
    assert wrote.returncode == 0, wrote.stderr
    assert "baseline of 3 finding(s)" in wrote.stderr
    write(proj, {"a.c": AFTER})
    out = tmp_path / "r.json"
    proc = leakscan("scan", str(proj), "--baseline", str(base), "--format", "json", "-o", str(out))
    assert proc.returncode == 1  # --fail-on new is the default with a baseline
    data = json.loads(out.read_text())
    assert _lines(data["findings"]) == [("added", 31, "new"), ("keep", 23, "unchanged"), ("parse", 14, "unchanged")]
    assert [(e["function"], e["line"], e["rule_id"]) for e in data["workflow"]["fixed"]] == [
        ("parse", 13, "resource-leak")]
    assert data["workflow"]["baseline"] == str(base)
    # the text report says it on each finding and in the summary
    text = leakscan("scan", str(proj), "--baseline", str(base), "-q").stdout
    assert "a.c:31:5: warning: 'q' acquired by malloc() at line 28" in text and "[resource-leak] (new)" in text
    assert "a.c:13: note: fixed since the baseline: 'buf' acquired by malloc() at line 7" in text
    assert text.rstrip().splitlines()[-1].endswith("; 1 new, 2 unchanged, 1 fixed against base.json")
    # exit codes: only unchanged findings pass with `new`, fail with `any`; `none` never fails
    write(proj, {"a.c": BEFORE})
    assert leakscan("scan", str(proj), "--baseline", str(base)).returncode == 0
    assert leakscan("scan", str(proj), "--baseline", str(base), "--fail-on", "any").returncode == 1
    write(proj, {"a.c": AFTER})
    assert leakscan("scan", str(proj), "--baseline", str(base), "--fail-on", "none").returncode == 0
    assert leakscan("scan", str(proj), "--fail-on", "new").returncode == 1  # no baseline: every finding is new


def test_sarif_baseline_in_and_out_and_html(tmp_path):
    proj = write(tmp_path / "p", {"a.c": BEFORE})
    base = tmp_path / "base.sarif"
    assert leakscan("scan", str(proj), "--format", "sarif", "-o", str(base)).returncode == 1
    write(proj, {"a.c": AFTER})
    out = tmp_path / "r.sarif"
    proc = leakscan("scan", str(proj), "--baseline", str(base), "--format", "sarif", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    results = json.loads(out.read_text())["runs"][0]["results"]
    states = sorted((r["properties"].get("function", ""), r["baselineState"]) for r in results)
    assert states == [("added", "new"), ("keep", "unchanged"), ("parse", "absent"), ("parse", "unchanged")]
    absent = next(r for r in results if r["baselineState"] == "absent")
    assert absent["locations"][0]["physicalLocation"]["region"]["startLine"] == 13
    # a SARIF written with a baseline is itself a baseline: its absent results are not findings
    again = leakscan("scan", str(proj), "--baseline", str(out), "--format", "json")
    assert _lines(json.loads(again.stdout)["findings"]) == [("added", 31, "unchanged"), ("keep", 23, "unchanged"),
                                                           ("parse", 14, "unchanged")]
    html = tmp_path / "html"
    assert leakscan("scan", str(proj), "--baseline", str(base), "--format", "html", "-o", str(html)).returncode == 1
    index = (html / "index.html").read_text()
    assert index.count('data-baseline="new"') == 1 and index.count('data-baseline="unchanged"') == 2
    assert '<span class="baseline baseline-new">new</span>' in index
    assert 'id="fixed-findings"' in index and "a.c:13" in index


def test_old_result_files_load_as_baselines(tmp_path):
    data = REPO / "tests" / "data" / "results"
    proj = tmp_path / "p"
    proj.mkdir()
    shutil.copy(data / "parse.c", proj / "parse.c")
    # schema 2 (before this change): same fingerprints, so everything is unchanged
    v2 = leakscan("scan", str(proj), "--baseline", str(data / "v2.json"), "--format", "json")
    assert v2.returncode == 0, v2.stderr
    assert {f["baseline_state"] for f in json.loads(v2.stdout)["findings"]} == {"unchanged"}
    # schema 1 loads too (its fingerprints predate grouping by acquisition)
    v1 = leakscan("scan", str(proj), "--baseline", str(data / "v1.json"), "--format", "json")
    assert v1.returncode in (0, 1), v1.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": [{"rule_id": "resource-leak"}]}')
    proc = leakscan("scan", str(proj), "--baseline", str(bad))
    assert proc.returncode == 2 and proc.stderr.startswith(f"leakscan: {bad}: ") and "fingerprint" in proc.stderr


def test_diff_base_keeps_findings_whose_path_touches_changed_lines(tmp_path):
    proj = write(tmp_path / "repo", {"a.c": BEFORE})
    git(proj, "init", "-q")
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "one")
    write(proj, {"a.c": AFTER, "new.c": "#include <stdlib.h>\nvoid z(void) { malloc(1); }\n"})
    proc = leakscan("scan", str(proj), "--diff-base", "HEAD", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    # parse(): the fopen leak's path runs through the changed `if` (line 13); keep() moved but is unchanged; added()
    # and the untracked file are new
    assert sorted((f["function"], f["loc"]["line"]) for f in data["findings"]) == [
        ("added", 31), ("parse", 14), ("z", 2)]
    assert data["workflow"]["diff_base"] == "HEAD" and data["workflow"]["outside_diff"] == 1
    text = leakscan("scan", str(proj), "--diff-base", "HEAD", "-q").stdout
    assert text.rstrip().endswith("; 1 left out: not touching lines changed since HEAD")
    git(proj, "add", "-A")
    git(proj, "commit", "-qm", "two")
    assert leakscan("scan", str(proj), "--diff-base", "HEAD").returncode == 0  # nothing changed since HEAD
    bad = leakscan("scan", str(proj), "--diff-base", "no-such-rev")
    assert bad.returncode == 2 and bad.stderr.startswith("leakscan: --diff-base no-such-rev: not a revision")
    assert len(bad.stderr.strip().splitlines()) == 1


SUPPRESSED = """
#include <stdlib.h>
#include <stdio.h>
void a(void) {
    malloc(1); // leakscan-ignore[unused-acquire]: a test of the same line
}
void b(void) {
    /* leakscan-ignore[unused-acquire, resource-leak]: the line above, in a block comment */
    malloc(2);
}
void c(void) {
    // leakscan-ignore[double-release]: the wrong rule: not suppressed
    malloc(3);
}
void d(void) {
    const char *s = "// leakscan-ignore[unused-acquire]: inside a string";
    malloc(4);
    (void)s;
}
int legacy_open(const char *p) {
    FILE *f = fopen(p, "r");
    return f ? 0 : 1;
}
int e(int n) {
    char *p = malloc(8);
    if (n)
        return 1;  // leakscan-ignore[resource-leak]: on the exit
    free(p);
    return 0;
}
"""


def test_suppressions_inline_and_file_counted_listed_and_stale(tmp_path):
    proj = write(tmp_path / "p", {"s.c": SUPPRESSED, "suppress.toml": """
        [[suppress]]
        rule = "resource-leak"
        path = "*.c"
        function = "legacy_*"
        reason = "closed by the process exit"

        [[suppress]]
        rules = ["use-after-release"]
        path = "vendor/**"
        reason = "matches nothing: stale"
    """})
    sup = str(proj / "suppress.toml")
    proc = leakscan("scan", str(proj / "s.c"), "--suppressions", sup, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert sorted((f["function"], f["loc"]["line"]) for f in data["findings"]) == [("c", 12), ("d", 16)]
    suppressed = sorted((s["finding"]["function"], s["suppression"]["kind"], s["suppression"]["reason"])
                        for s in data["suppressed"])
    assert suppressed == [("a", "inline", "a test of the same line"),
                          ("b", "inline", "the line above, in a block comment"),
                          ("e", "inline", "on the exit"), ("legacy_open", "file", "closed by the process exit")]
    stale = sorted((s["kind"], s["line"]) for s in data["workflow"]["stale_suppressions"])
    assert stale == [("file", 7), ("inline", 11)]
    text = leakscan("scan", str(proj / "s.c"), "--suppressions", sup, "-q").stdout
    assert "s.c:4:5: note: suppressed by leakscan-ignore[unused-acquire] at s.c:4: a test of the same line:" in text
    assert "s.c:11: warning: stale suppression: leakscan-ignore[double-release] at s.c:11 matches no finding" in text
    assert text.rstrip().splitlines()[-1].endswith("; 4 suppressed (2 stale suppression(s))")
    sarif = json.loads(leakscan("scan", str(proj / "s.c"), "--suppressions", sup, "--format", "sarif").stdout)
    run = sarif["runs"][0]
    kinds = sorted(r["suppressions"][0]["kind"] for r in run["results"] if "suppressions" in r)
    assert kinds == ["external", "inSource", "inSource", "inSource"]
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert sum("stale suppression" in n for n in notes) == 2
    html = tmp_path / "h"
    leakscan("scan", str(proj / "s.c"), "--suppressions", sup, "--format", "html", "-o", str(html))
    index = (html / "index.html").read_text()
    assert 'id="suppressed-table"' in index and index.count("closed by the process exit") == 1
    assert 'id="stale-suppressions"' in index
    # everything suppressed: exit 0
    only = write(tmp_path / "q", {"x.c": "#include <stdlib.h>\nvoid x(void) {\n"
                                         "  malloc(1); // leakscan-ignore[unused-acquire]: ok\n}\n"})
    assert leakscan("scan", str(only)).returncode == 0


def test_bad_suppression_file_is_one_line(tmp_path):
    proj = write(tmp_path / "p", {"a.c": "int f(void) { return 0; }\n"})
    cases = {
        '[[suppress]]\nrule = "resource-leak"\n': (1, "every entry needs a 'reason'"),
        '[[suppress]]\nrule = "leak"\nreason = "x"\n': (2, "unknown ruleId 'leak'"),
        '[[suppress]]\nreason = "x"\npth = "a"\n': (3, "unknown key 'pth'"),
    }
    for n, (text, (line, message)) in enumerate(cases.items()):
        path = Path(tmp_path / f"s{n}.toml")
        path.write_text(text)
        proc = leakscan("scan", str(proj), "--suppressions", str(path))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith(f"leakscan: {path}:{line}: ") and message in proc.stderr, proc.stderr
