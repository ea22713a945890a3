"""Real C and C++ through the scan pipeline (real libclang), then the HTML report and its fixes."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from analyzer.pipeline import Options, run
from tests.reports.conftest import render_html

from .sample import dictsvc_dir
from .test_html import Page, read, table_rows

LEAKY = textwrap.dedent("""\
    #include <stdio.h>
    #include <stdlib.h>

    int parse(const char *path, int strict)
    {
        char *buf = malloc(256);
        if (buf == NULL)
            return -1;
        FILE *fp = fopen(path, "r");
        if (fp == NULL) {
            free(buf);
            return -2;
        }
        if (strict && fgetc(fp) == '#')
            return -4;
        fclose(fp);
        free(buf);
        return 0;
    }

    void twice(void)
    {
        char *p = malloc(4);
        p = malloc(8);
        free(p);
    }
    """)

FIXED_RULES = {"resource-leak", "leak-on-overwrite"}


def scan(root: Path):
    return run(Options(paths=(str(root),), jobs=1))


def test_scanned_c_renders_and_its_fixes_remove_the_findings(tmp_path: Path, git_repo) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "leaky.c").write_text(LEAKY)
    result = scan(src)
    rules = sorted((f.rule_id, f.var) for f in result.findings)
    assert rules == [("leak-on-overwrite", "p"), ("resource-leak", "buf"), ("resource-leak", "fp")]
    written = render_html(result, tmp_path / "out")
    assert len(written) == 2 + len(result.findings)
    index = read(tmp_path / "out" / "index.html")
    assert len(table_rows(index)) == len(result.findings)
    for n, f in enumerate(sorted(result.findings, key=lambda f: f.sort_key()), 1):
        page = read(tmp_path / "out" / f"finding-{n}.html")
        bubbles = page.by_class("bubble")
        assert len(bubbles) == len(f.path)
        assert page.all("div", id=f"f{n}-L{f.loc.line}")[0].get("data-mark") == "report"
        assert f.message in page.joined
        assert any("node" in (a.get("class") or "").split() for t, a in page.elements if t == "g")
    # the combined patch applies, and the patched file scans clean for the fixed rules
    git_repo.write("leaky.c", LEAKY)
    git_repo.apply((tmp_path / "out" / "fixes.patch").read_text())
    fixed = scan(git_repo.path)
    assert [f for f in fixed.findings if f.rule_id in FIXED_RULES] == []
    assert "if (strict && fgetc(fp) == '#') {" in git_repo.read("leaky.c")


def test_scanned_c_single_file(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "leaky.c").write_text(LEAKY)
    result = scan(tmp_path / "src")
    [path] = render_html(result, tmp_path / "report.html", single_file=True)
    page = Page(path.read_text())
    assert len([a for t, a in page.elements if t == "article"]) == len(result.findings)


@pytest.mark.skipif(dictsvc_dir() is None, reason="shared/fixtures/dictsvc not found")
def test_dictsvc_report_and_fixes(tmp_path: Path, git_repo) -> None:
    copy = git_repo.path
    for name in ("dm.c", "dm.h", "qa_term_dict.cpp", "qa_term_dict.h", "query_util.cpp", "query_util.h",
                 "main.cpp"):
        shutil.copy(dictsvc_dir() / name, copy / name)
    result = scan(copy)
    seeded = {(Path(f.loc.file).name, f.loc.line, f.rule_id) for f in result.findings}
    assert {("qa_term_dict.cpp", 73, "resource-leak"), ("qa_term_dict.cpp", 53, "leak-on-overwrite"),
            ("query_util.cpp", 22, "resource-leak")} <= seeded
    render_html(result, tmp_path / "out")
    index = read(tmp_path / "out" / "index.html")
    assert {r["data-file"] for r in table_rows(index)} >= {"qa_term_dict.cpp", "query_util.cpp"}
    pages = [read(p) for p in sorted((tmp_path / "out").glob("finding-*.html"))]
    inferred = [p for p in pages if "Inferred pair" in p.joined]
    assert inferred and any("dm_pack_create/dm_pack_del" in p.joined for p in inferred)
    git_repo.apply((tmp_path / "out" / "fixes.patch").read_text())
    after = scan(copy)
    assert [f for f in after.findings if f.rule_id in FIXED_RULES] == []
