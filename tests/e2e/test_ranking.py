"""Static findings are listed most confident first, with the reasons for each score; leaks lost only where the
process ends (a return from main) form their own low-priority class at the end of the list."""
import json
import subprocess
import sys

from tests.conftest import scan_sources

SOURCE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct blob { char *data; } blob;
blob *blob_open(const char *name) {
    blob *b = malloc(sizeof *b);
    if (!b) return NULL;
    b->data = strdup(name);
    return b;
}
void blob_close(blob *b) { if (b) { free(b->data); free(b); } }

int main(int argc, char **argv) {
    char *buf = malloc(64);
    if (argc < 2)
        return 1;                 /* process exit: low priority */
    printf("%s %s\n", buf, argv[1]);
    free(buf);
    return 0;
}

int deep(int a, int b, int c, int d, int e) {
    blob *x = blob_open("deep");
    if (a) puts("a");
    if (b) puts("b");
    if (c) puts("c");
    if (d) puts("d");
    if (e) return -1;             /* leak after assuming 5 conditions */
    blob_close(x);
    return 0;
}

int shallow(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (fgetc(f) < 0) return -2;  /* leak: builtin pair, short path */
    fclose(f);
    return 0;
}

char *twice(void) {
    char *s = strdup("x");
    free(s);
    free(s);                      /* double release */
    return NULL;
}
"""


def _by_function(result):
    return {f.function: f for f in result.findings}


def test_findings_are_listed_by_score_and_process_exits_last(tmp_path):
    result = scan_sources(tmp_path, {"rank.c": SOURCE})
    order = [(f.function, f.loc.line, f.rule_id) for f in result.findings]
    assert order == [("twice", 45, "double-release"), ("shallow", 37, "resource-leak"),
                     ("deep", 29, "resource-leak"), ("main", 17, "resource-leak")]
    by_fn = _by_function(result)
    assert [f.priority for f in result.findings] == ["", "", "", "process-exit"]
    assert by_fn["twice"].score > by_fn["shallow"].score > by_fn["deep"].score
    assert "+20 pair known from configuration" in by_fn["shallow"].score_reasons
    assert any(r.startswith("-") and "path assumes" in r for r in by_fn["deep"].score_reasons)
    assert any("main() returns" in r for r in by_fn["main"].score_reasons)


def test_score_and_reasons_reach_sarif_json_and_text(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "rank.c").write_text(SOURCE, encoding="utf-8")
    sarif, js = tmp_path / "out.sarif", tmp_path / "out.json"
    base = [sys.executable, "-m", "analyzer", "scan", str(tmp_path / "src"), "-j", "1"]
    subprocess.run([*base, "--format", "sarif", "-o", str(sarif)], capture_output=True, check=False)
    subprocess.run([*base, "--format", "json", "-o", str(js)], capture_output=True, check=False)
    text = subprocess.run([*base, "--format", "text"], capture_output=True, text=True, check=False).stdout
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["properties"]["function"] for r in results] == ["twice", "shallow", "deep", "main"]
    assert [r["rank"] for r in results] == sorted((r["rank"] for r in results), reverse=True)
    assert results[1]["properties"]["scoreReasons"]
    findings = json.loads(js.read_text())["findings"]
    assert findings[-1]["priority"] == "process-exit" and findings[0]["score"] == results[0]["rank"]
    main_line = next(ln for ln in text.splitlines() if "in main()" in ln)
    assert main_line.endswith("(low priority: process-exit)")


def _over_budget_source(n: int = 9) -> str:
    """n flags each tested twice around its own allocation: 2^n path states, over the per-block budget (locals
    set by calls: facts about parameters never assigned are kept when paths are joined)."""
    lines = ["#include <stdlib.h>", "int flag(int);", "int big(void) {"]
    lines += [f"    int f{i} = flag({i});" for i in range(n)]
    lines += [f"    char *p{i} = 0;" for i in range(n)]
    lines += [f"    if (f{i}) p{i} = malloc({i + 1});" for i in range(n)]
    lines += [f"    if (f{i}) free(p{i});" for i in range(n)]
    return "\n".join([*lines, "    return 0;", "}"]) + "\n"


def test_a_function_over_the_path_budget_is_counted_and_its_findings_ranked_down(tmp_path):
    result = scan_sources(tmp_path, {"big.c": _over_budget_source(), "rank.c": SOURCE})
    assert result.stats.over_budget == 1
    big = [f for f in result.findings if f.function == "big"]
    assert big and all(f.over_budget for f in big)
    assert all(any("path budget" in r for r in f.score_reasons) for f in big)
    others = [f for f in result.findings if f.function not in ("big", "main")]
    assert max(f.score for f in big) < min(f.score for f in others)
